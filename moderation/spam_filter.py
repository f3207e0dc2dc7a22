"""A local statistical spam filter for reader comments: multinomial naive Bayes.

Nothing leaves the machine. The filter learns from the moderators' own decisions
(approved comments are ham, comments marked as spam are spam), is retrained from all of
them whenever that is wanted (training takes milliseconds), and scores a new comment at
posting time with `SpamFilter.spam_probability()`. The caller holds a comment whose
probability is at or above its threshold (`DEFAULT_THRESHOLD`).

Standard library only and no Django: the module is imported and tested without settings.
docs/spam-filter.md describes what the filter looks at, how it was measured and its limits.

    filter = SpamFilter.train(Example(text, is_spam, name=..., email=..., url=...) for ...)
    stored = filter.to_json()            # plain dict, for a JSON field
    filter = SpamFilter.from_json(stored)
    filter.spam_probability(text, name=name, email=email, url=url)   # None if not trained
"""

from __future__ import annotations

import json
import math
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

FORMAT = "ondernemen-spam-filter"
FORMAT_VERSION = 1

# Hold a comment for moderation from this probability on (docs/spam-filter.md).
DEFAULT_THRESHOLD = 0.9
# Below this many approved or spam examples the filter gives no score at all.
MIN_EXAMPLES_PER_CLASS = 20
# The stored model keeps at most this many tokens, the most frequent ones...
MAX_VOCABULARY = 5000
# ...and only tokens that occur in at least this many training comments.
MIN_TOKEN_DOCUMENTS = 2

LABELLED_COMMENTS = Path(__file__).resolve().parent / "data" / "labelled_comments.jsonl"

# Top-level domains recognised in a bare name such as "goedkoop-lenen.nl" (links with
# http(s):// or www. are recognised whatever their domain). `example` and `test` are
# the reserved names the labelled set uses instead of real sites.
_BARE_TLDS = (
    "nl|be|de|eu|com|net|org|info|biz|io|co|me|uk|fr|es|it|us|ru|cn|in|xyz|top|online"
    "|site|shop|store|app|club|live|pro|example|test|invalid"
)

# The patterns run on the folded text (lower case, no accents).
# Each pattern starts a match only where a link or address can begin (a look-behind),
# so none of them is tried again from every character of a long run: scanning stays
# linear in the length of the comment, whatever a writer types.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@((?:[\w-]+\.)+[\w-]{2,})")
_HTTP_LINK = re.compile(r"https?://([^\s/?#<>\"'()\[\]]+)[^\s<>\"'\[\]]*")
_WWW_LINK = re.compile(r"(?<![\w.-])(www\.(?:[\w-]+\.)+[\w-]{2,})(?:/[^\s<>\"'\[\]]*)?")
_BARE_LINK = re.compile(
    r"(?<![\w@.-])((?:[\w-]+\.)+(?:" + _BARE_TLDS + r"))(?![\w-])(?:/[^\s<>\"'\[\]]*)?"
)
# Cheap to search (a literal first), and found before almost every bare link.
_BARE_LINK_HINT = re.compile(r"\.(?:" + _BARE_TLDS + r")(?![\w-])")
_MARKUP_LINK = re.compile(r"<a\s|\[url[=\]]")
_SPINTAX = re.compile(r"\{[^{}|]+\|[^{}]+\}")
# A run that starts as a phone number does (+, 00 or 0) and has 9 to 15 digits in all.
# (The look-behind comes after the first character so that the search can skip ahead.)
_PHONE_LIKE = re.compile(r"[+0](?<![\w+].)\d[\d\s().-]{7,}\d(?!\w)")
_MONEY = re.compile(r"[€$£]\s?\d|\d\s?(?:euro|eur|dollar|usd)\b")
_MONEY_HINTS = ("€", "$", "£", "eur", "dollar", "usd")
_COMBINING_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Whole words of 2 to 40 letters or digits; shorter and longer ones are left out.
_WORD = re.compile(r"(?<![^\W_])[^\W_]{2,40}(?![^\W_])")

_MAX_NUMBER_LENGTH = 4  # years and small amounts stay words; longer digit runs do not
_CAPS_RUN_LETTERS = 10  # shouting: consecutive all-capital words with this many letters
_MANY_LINKS = 3


def _fold(text: str) -> str:
    """Lower case without accents, so "financiële" and "financiele" are one word; NFKD
    also turns look-alikes such as ligatures and full-width letters into plain ones."""
    if text.isascii():
        return text.lower()
    return _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text).lower())


def _words(folded: str) -> list[str]:
    return [
        word
        for word in _WORD.findall(folded)
        if not (len(word) > _MAX_NUMBER_LENGTH and word.isdigit())
    ]


def _host(raw: str) -> str:
    host = raw.rsplit("@", 1)[-1].split(":", 1)[0].strip(".").lower()
    return host.removeprefix("www.")


def _domain_tokens(host: str) -> list[str]:
    """`domain:shop.example`, and the words of its name (`domainword:shop`), because a
    spammer's domains change but the words in them ("casino", "lenen") do not."""
    if not host:
        return []
    found = [f"domain:{host}"]
    for label in host.split(".")[:-1]:
        for part in label.split("-"):
            if len(part) >= 3 and not part.isdigit() and part != "www":
                found.append(f"domainword:{part}")
    return found


def _has_caps_run(text: str) -> bool:
    """Two or more consecutive words in capitals with 10 letters or more between them:
    "GRATIS GELD NU", but not a lone "BTW" or "ZZP'ER"."""
    run_letters = run_words = 0
    for word in text.split():
        if word.isupper():
            letters = sum(char.isalpha() for char in word)
            if letters >= 2:
                run_letters += letters
                run_words += 1
                if run_words >= 2 and run_letters >= _CAPS_RUN_LETTERS:
                    return True
                continue
        run_letters = run_words = 0
    return False


def _word_count_token(count: int) -> str:
    if count <= 5:
        return "words:1-5"
    if count <= 20:
        return "words:6-20"
    if count <= 60:
        return "words:21-60"
    return "words:61+"


def tokens(text: str, *, name: str = "", email: str = "", url: str = "") -> list[str]:
    """The features of one comment: its words, and feature tokens with a colon in them
    (which no word has, so the two never mix).

    Words: lower case, accents removed, Unicode letters and digits (so Dutch and English
    alike); one-letter words and digit runs longer than four are left out. Links and
    addresses are taken out of the text before the words are read.

    Feature tokens:
    - `domain:<host>` and `domainword:<word>` for each link in the text (http(s)://,
      www., or a bare name with a known top-level domain) and for the website field;
    - `links:0`, `links:1`, `links:2`, `links:3+`, and `links:repeated-domain` when a
      domain is linked more than once; `markup:link` for HTML or BBCode links;
    - `emaildomain:<domain>` for the e-mail field and for each address in the text, plus
      `email:in-text` for the latter;
    - `url:given` when the website field is filled in;
    - `name:<word>` for the words of the name, `name:lowercase` for a name written
      without capitals ("goedkope zonnepanelen"), `name:digits`, `name:has-link`;
    - `caps:run` (consecutive words in capitals, 10 letters or more), `exclaim:run`
      ("!!"), `phone` (a phone-number-like run of 9 to 15 digits), `money` (an amount
      with €, $, £ or "euro"), `spintax` ("{Great|Nice} post"), and a length bucket
      (`words:1-5`, `words:6-20`, `words:21-60`, `words:61+`).

    A token can occur more than once in the list; the model counts each one once per
    comment.
    """
    text = text or ""
    folded = _fold(text)
    features: list[str] = []

    # Links with a scheme first (an address in a link is part of the link), then
    # e-mail addresses (whose domain is no link), then the links without a scheme.
    # A pattern runs only where its telling character occurs: most comments have none.
    link_hosts = []
    remaining = folded
    if "://" in remaining:
        link_hosts += [_host(match.group(1)) for match in _HTTP_LINK.finditer(remaining)]
        remaining = _HTTP_LINK.sub(" ", remaining)
    if "@" in remaining:
        for match in _EMAIL.finditer(remaining):
            features += ["email:in-text", f"emaildomain:{match.group(1)}"]
        remaining = _EMAIL.sub(" ", remaining)
    if "www." in remaining:
        link_hosts += [_host(match.group(1)) for match in _WWW_LINK.finditer(remaining)]
        remaining = _WWW_LINK.sub(" ", remaining)
    if _BARE_LINK_HINT.search(remaining):
        link_hosts += [_host(match.group(1)) for match in _BARE_LINK.finditer(remaining)]
        remaining = _BARE_LINK.sub(" ", remaining)
    link_hosts = [host for host in link_hosts if host]
    for host in link_hosts:
        features += _domain_tokens(host)
    links = len(link_hosts)
    features.append(f"links:{links}" if links < _MANY_LINKS else f"links:{_MANY_LINKS}+")
    if len(set(link_hosts)) < links:
        features.append("links:repeated-domain")
    if ("<a" in folded or "[url" in folded) and _MARKUP_LINK.search(folded):
        features.append("markup:link")

    words = _words(remaining)
    features.append(_word_count_token(len(words)))
    if _has_caps_run(text):
        features.append("caps:run")
    if "!!" in text:
        features.append("exclaim:run")
    for match in _PHONE_LIKE.finditer(remaining):
        if 9 <= sum(char.isdigit() for char in match.group()) <= 15:
            features.append("phone")
            break
    if any(hint in remaining for hint in _MONEY_HINTS) and _MONEY.search(remaining):
        features.append("money")
    if "{" in remaining and _SPINTAX.search(remaining):
        features.append("spintax")

    name = (name or "").strip()
    if name:
        folded_name = _fold(name)
        features += [f"name:{word}" for word in _words(folded_name)]
        if any(char.isalpha() for char in name) and name == name.lower():
            features.append("name:lowercase")
        if any(char.isdigit() for char in name):
            features.append("name:digits")
        if any(pattern.search(folded_name) for pattern in (_HTTP_LINK, _WWW_LINK, _BARE_LINK)):
            features.append("name:has-link")

    if email and "@" in email:
        features.append(f"emaildomain:{_fold(email.rsplit('@', 1)[1].strip())}")

    url = _fold((url or "").strip())
    if url:
        features.append("url:given")
        match = _HTTP_LINK.match(url) or _WWW_LINK.match(url) or _BARE_LINK.match(url)
        if match:
            features += _domain_tokens(_host(match.group(1)))

    return words + features


@dataclass(frozen=True)
class Example:
    """One comment with the moderators' decision: spam, or approved (ham)."""

    text: str
    is_spam: bool
    name: str = ""
    email: str = ""
    url: str = ""

    def tokens(self) -> list[str]:
        return tokens(self.text, name=self.name, email=self.email, url=self.url)


def read_examples(path: str | Path = LABELLED_COMMENTS) -> list[Example]:
    """Examples from a JSON Lines file of {"text", "name", "email", "url", "spam"}."""
    examples = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                row = json.loads(line)
                examples.append(
                    Example(
                        text=row["text"],
                        is_spam=bool(row["spam"]),
                        name=row.get("name", ""),
                        email=row.get("email", ""),
                        url=row.get("url", ""),
                    )
                )
    return examples


class SpamFilter:
    """Multinomial naive Bayes over the tokens of a comment, two classes.

    Each token counts once per comment. P(token | class) is smoothed with `alpha`
    (Laplace: alpha = 1), so a token seen in one class only never makes a probability 0
    or 1 by itself; tokens outside the vocabulary are ignored. Everything is summed in
    log space: log P(spam) - log P(ham) = prior log-odds + the sum of each token's
    weight, log P(token | spam) - log P(token | ham), precomputed per token.

    Immutable once made, so one instance can serve every request of a process.
    """

    def __init__(
        self,
        *,
        token_counts: dict[str, tuple[int, int]],
        ham_examples: int,
        spam_examples: int,
        alpha: float = 1.0,
        min_examples_per_class: int = MIN_EXAMPLES_PER_CLASS,
    ):
        """`token_counts` maps each token of the vocabulary to the number of ham and of
        spam training comments it occurs in. Use `train()` or `from_json()` rather than
        calling this directly."""
        if not (isinstance(alpha, int | float) and math.isfinite(alpha) and alpha > 0):
            raise ValueError("alpha must be a positive number")
        if not _is_count(min_examples_per_class) or min_examples_per_class < 1:
            raise ValueError("min_examples_per_class must be a whole number, at least 1")
        if not (_is_count(ham_examples) and _is_count(spam_examples)):
            raise ValueError("the example counts must be whole numbers, 0 or more")
        counts = {}
        for token, pair in token_counts.items():
            ham, spam = pair
            if not (isinstance(token, str) and _is_count(ham) and _is_count(spam)):
                raise ValueError(f"bad token count for {token!r}")
            counts[token] = (ham, spam)
        self._token_counts = dict(sorted(counts.items()))
        self.ham_examples = ham_examples
        self.spam_examples = spam_examples
        self.alpha = float(alpha)
        self.min_examples_per_class = min_examples_per_class

        self._weights: dict[str, float] = {}
        self._prior_log_odds = 0.0
        if self.is_ready:
            self._prior_log_odds = math.log(spam_examples) - math.log(ham_examples)
            vocabulary_size = len(self._token_counts)
            ham_total = sum(ham for ham, _spam in self._token_counts.values())
            spam_total = sum(spam for _ham, spam in self._token_counts.values())
            if vocabulary_size:
                denominators = math.log(ham_total + self.alpha * vocabulary_size) - math.log(
                    spam_total + self.alpha * vocabulary_size
                )
                for token, (ham, spam) in self._token_counts.items():
                    self._weights[token] = (
                        math.log(spam + self.alpha) - math.log(ham + self.alpha) + denominators
                    )

    @classmethod
    def train(
        cls,
        examples: Iterable[Example],
        *,
        alpha: float = 1.0,
        max_vocabulary: int = MAX_VOCABULARY,
        min_token_documents: int = MIN_TOKEN_DOCUMENTS,
        min_examples_per_class: int = MIN_EXAMPLES_PER_CLASS,
    ) -> SpamFilter:
        """A filter trained on `examples`: the vocabulary is the `max_vocabulary` most
        frequent tokens among those found in at least `min_token_documents` comments
        (ties by token, so the same examples always give the same filter)."""
        if not _is_count(max_vocabulary) or not _is_count(min_token_documents):
            raise ValueError("max_vocabulary and min_token_documents must be whole numbers")
        ham_examples = spam_examples = 0
        ham_counts: Counter[str] = Counter()
        spam_counts: Counter[str] = Counter()
        for example in examples:
            features = set(example.tokens())
            if example.is_spam:
                spam_examples += 1
                spam_counts.update(features)
            else:
                ham_examples += 1
                ham_counts.update(features)
        documents = ham_counts + spam_counts
        kept = sorted(
            (token for token, count in documents.items() if count >= min_token_documents),
            key=lambda token: (-documents[token], token),
        )[:max_vocabulary]
        return cls(
            token_counts={token: (ham_counts[token], spam_counts[token]) for token in kept},
            ham_examples=ham_examples,
            spam_examples=spam_examples,
            alpha=alpha,
            min_examples_per_class=min_examples_per_class,
        )

    @property
    def is_ready(self) -> bool:
        """Trained on enough examples of both classes to give a score."""
        return min(self.ham_examples, self.spam_examples) >= self.min_examples_per_class

    @property
    def vocabulary(self) -> frozenset[str]:
        return frozenset(self._token_counts)

    def spam_probability(
        self, text: str, *, name: str = "", email: str = "", url: str = ""
    ) -> float | None:
        """P(spam) in [0, 1] for a comment, or None while the filter is not ready."""
        return self.probability_of_tokens(tokens(text, name=name, email=email, url=url))

    def probability_of_tokens(self, features: Iterable[str]) -> float | None:
        """P(spam) for the output of `tokens()`, or None while the filter is not ready."""
        if not self.is_ready:
            return None
        weights = self._weights
        log_odds = self._prior_log_odds
        for token in set(features):
            log_odds += weights.get(token, 0.0)
        return _logistic(log_odds)

    def explain(
        self, text: str, *, name: str = "", email: str = "", url: str = "", count: int = 5
    ) -> list[tuple[str, float]]:
        """The tokens of a comment that weigh most towards spam, with their weights
        (log-likelihood ratios, highest first): for a moderator's "why was this held"."""
        features = set(tokens(text, name=name, email=email, url=url))
        spammy = [(token, self._weights[token]) for token in features if token in self._weights]
        spammy = [(token, weight) for token, weight in spammy if weight > 0]
        return sorted(spammy, key=lambda pair: (-pair[1], pair[0]))[:count]

    def to_json(self) -> dict:
        """The model as plain types (str, int, float, dict, list) for a JSON field."""
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "alpha": self.alpha,
            "min_examples_per_class": self.min_examples_per_class,
            "ham_examples": self.ham_examples,
            "spam_examples": self.spam_examples,
            "tokens": {token: [ham, spam] for token, (ham, spam) in self._token_counts.items()},
        }

    @classmethod
    def from_json(cls, data: dict) -> SpamFilter:
        """The filter `to_json()` stored. Raises ValueError for anything else."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a stored spam filter")
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"unknown spam filter version {data.get('version')!r}")
        stored_tokens = data.get("tokens")
        if not isinstance(stored_tokens, dict) or not all(
            isinstance(pair, list) and len(pair) == 2 for pair in stored_tokens.values()
        ):
            raise ValueError("the stored tokens are not token: [ham, spam] pairs")
        try:
            return cls(
                token_counts={token: (pair[0], pair[1]) for token, pair in stored_tokens.items()},
                ham_examples=data["ham_examples"],
                spam_examples=data["spam_examples"],
                alpha=data["alpha"],
                min_examples_per_class=data["min_examples_per_class"],
            )
        except KeyError as missing:
            raise ValueError(f"the stored spam filter has no {missing}") from None

    def __eq__(self, other):
        if not isinstance(other, SpamFilter):
            return NotImplemented
        return self.to_json() == other.to_json()

    __hash__ = None

    def __repr__(self):
        return (
            f"<SpamFilter ham={self.ham_examples} spam={self.spam_examples} "
            f"vocabulary={len(self._token_counts)} ready={self.is_ready}>"
        )


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _logistic(log_odds: float) -> float:
    # Written both ways so that exp() never overflows.
    if log_odds >= 0:
        return 1.0 / (1.0 + math.exp(-log_odds))
    odds = math.exp(log_odds)
    return odds / (1.0 + odds)


@dataclass(frozen=True)
class Evaluation:
    """How a filter did on held-out comments; spam is the positive class, and a
    comment counts as flagged when its probability is at or above `threshold`."""

    threshold: float
    training_examples: int
    true_positives: int
    false_positives: int
    true_negatives: int
    false_negatives: int
    unscored: int = 0  # held-out comments the filter gave no score (it was not ready)

    @property
    def holdout_examples(self) -> int:
        return (
            self.true_positives + self.false_positives + self.true_negatives + self.false_negatives
        )

    @property
    def precision(self) -> float | None:
        """Of the flagged comments, the share that is spam; None if none was flagged."""
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        """Of the spam comments, the share that was flagged; None if there was no spam."""
        spam = self.true_positives + self.false_negatives
        return self.true_positives / spam if spam else None

    @classmethod
    def from_scores(
        cls,
        scored: Iterable[tuple[float | None, bool]],
        *,
        threshold: float = DEFAULT_THRESHOLD,
        training_examples: int = 0,
    ) -> Evaluation:
        """Counts from (probability or None, is_spam) pairs; None counts as not flagged,
        as a comment the site could not score is not held by the filter."""
        counts: Counter[tuple[bool, bool]] = Counter()
        unscored = 0
        for probability, is_spam in scored:
            if probability is None:
                unscored += 1
            flagged = probability is not None and probability >= threshold
            counts[(flagged, bool(is_spam))] += 1
        return cls(
            threshold=threshold,
            training_examples=training_examples,
            true_positives=counts[(True, True)],
            false_positives=counts[(True, False)],
            true_negatives=counts[(False, False)],
            false_negatives=counts[(False, True)],
            unscored=unscored,
        )


def split_holdout(
    examples: Iterable[Example], *, holdout_fraction: float = 0.25, seed: int = 0
) -> tuple[list[Example], list[Example]]:
    """(training, holdout): of each class apart, `holdout_fraction` of its examples
    (rounded half up) chosen at random with `seed`, so both parts have the classes in
    the same proportion and the same seed always gives the same split. Both parts keep
    the examples' order."""
    if not 0 < holdout_fraction < 1:
        raise ValueError("holdout_fraction must be between 0 and 1")
    examples = list(examples)
    chooser = random.Random(seed)
    held = set()
    for is_spam in (False, True):
        members = [
            index for index, example in enumerate(examples) if bool(example.is_spam) == is_spam
        ]
        chooser.shuffle(members)
        held.update(members[: math.floor(len(members) * holdout_fraction + 0.5)])
    training = [example for index, example in enumerate(examples) if index not in held]
    holdout = [example for index, example in enumerate(examples) if index in held]
    return training, holdout


def evaluate(
    examples: Iterable[Example],
    *,
    holdout_fraction: float = 0.25,
    seed: int = 0,
    threshold: float = DEFAULT_THRESHOLD,
    **train_options,
) -> Evaluation:
    """Train on the examples that `split_holdout()` keeps for training (`train_options`
    go to `SpamFilter.train()`) and measure on the held-out ones."""
    training, holdout = split_holdout(examples, holdout_fraction=holdout_fraction, seed=seed)
    spam_filter = SpamFilter.train(training, **train_options)
    return Evaluation.from_scores(
        (
            (spam_filter.probability_of_tokens(example.tokens()), example.is_spam)
            for example in holdout
        ),
        threshold=threshold,
        training_examples=len(training),
    )
