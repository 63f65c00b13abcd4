"""How each published rate is computed, printed beside the figure on the page, in the CSV and in the API."""

from flask_babel import gettext as _

from consult.stats.services import RATES


def formulas(response_hours: int) -> dict[str, str]:
    """The formula of each rate (响应率, 解决率, 满意率, 按期答复率) in the current language."""
    texts = {
        "response_rate": _(
            "Response rate = submissions assigned or otherwise acted on within %(hours)s hours of working days "
            "after receipt ÷ submissions due a response", hours=response_hours),
        "resolution_rate": _("Resolution rate = rated submissions the citizen says were resolved ÷ rated submissions"),
        "satisfaction_rate": _(
            "Satisfaction rate = (very satisfied + satisfied + basically satisfied) ÷ rated submissions"),
        "on_time_rate": _("On-time rate = answers given on or before the due date ÷ answers given"),
    }
    return {name: texts[name] for name in RATES}
