from django import template

from images.pictures import picture_context

register = template.Library()


@register.inclusion_tag("images/picture.html")
def picture(image, sizes="100vw", eager=False, max_width=None, css_class="", alt=None):
    """The image as <picture> with its renditions; eager (with fetchpriority=high) for the
    page's main image, lazy otherwise. alt: instead of the image's own alternative text."""
    return picture_context(
        image, sizes=sizes, eager=eager, max_width=max_width, css_class=css_class, alt=alt or None
    )
