"""Sections and authors for the browsing tests (sections, tags, authors, related articles)."""

from articles.models import Author, Section


def make_section(name, slug=None, position=10, **fields):
    return Section.objects.create(name=name, slug=slug or name.lower(), position=position, **fields)


def make_author(name, slug=None, **fields):
    return Author.objects.create(name=name, slug=slug or name.lower().replace(" ", "-"), **fields)
