from django import template
from django.utils.safestring import SafeString

from polity.transparency import charts
from polity.transparency.figures import Shown, ShownSeries

register = template.Library()


@register.simple_tag
def bar_chart(series: ShownSeries, threshold: int) -> SafeString:
    return charts.bar_chart(series, threshold)


@register.simple_tag
def figure_value(figure: Shown, threshold: int) -> str:
    return charts.shown_value(figure, threshold)
