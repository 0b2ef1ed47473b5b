from typing import Any

from ninja import NinjaAPI

from polity.api import audit, me, members, offices, units
from polity.api.auth import BearerToken
from polity.api.errors import document_errors, install_error_handlers
from polity.cases.api import router as cases_router
from polity.comms import api as comms_api
from polity.consent import api as consent_api
from polity.dsr import api as dsr_api
from polity.elections.api import router as elections_router
from polity.exports.api import router as exports_router
from polity.meetings import api as meetings_api
from polity.selections.api import router as selections_router
from polity.transparency.api import router as statistics_router


class PolityAPI(NinjaAPI):
    """The API, whose schema documents the errors every operation may answer (polity.api.errors)."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return document_errors(super().get_openapi_schema(*args, **kwargs))


api = PolityAPI(
    title="Polity API",
    version="1",
    urls_namespace="api",
    auth=BearerToken(),
    description=(
        "Read the member register with the permissions of the token's account. "
        "Send `Authorization: Bearer <token>`; create a token on the page /me/tokens/ or with "
        "`polity token create USERNAME`. "
        "Records you may not see answer 404, exactly like records that do not exist. "
        "Every read of personal data is recorded in the access log."
    ),
)
install_error_handlers(api)
api.add_router("/units", units.router)
api.add_router("/members", members.router)
api.add_router("/me", me.router)
api.add_router("/me/consents", consent_api.router)
api.add_router("/me/offices", offices.me_offices)
api.add_router("/offices", offices.offices)
api.add_router("/restrictions", offices.restrictions)
api.add_router("/consents", consent_api.officer_router)
api.add_router("/audiences", comms_api.audiences)
api.add_router("/messages", comms_api.messages)
api.add_router("/meetings", meetings_api.router)
api.add_router("/cases", cases_router)
api.add_router("/selections", selections_router)
api.add_router("/elections", elections_router)
api.add_router("/audit", audit.router)
api.add_router("/statistics", statistics_router)
api.add_router("/me/data-requests", dsr_api.me)
api.add_router("/data-requests", dsr_api.dpo)
api.add_router("/exports", exports_router)
