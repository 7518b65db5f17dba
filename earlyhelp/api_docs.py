"""The API's published contract: the schema and docs views, the error answers every endpoint
shares, and one correction to the generated schema. tests/openapi.py checks every API response of
the test suite against this schema."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from cases.access import SIGNED_IN, DeclaredAccess


class SchemaView(SpectacularAPIView):
    permission_classes = [DeclaredAccess]
    access = (SIGNED_IN,)


class SwaggerView(SpectacularSwaggerSplitView):
    permission_classes = [DeclaredAccess]
    access = (SIGNED_IN,)


# --- Error answers ----------------------------------------------------------------------------------
# DRF answers a refusal with {"detail": "..."} and a field error with {"field": ["...", ...]}.

DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
FIELD_ERROR_LISTS = {
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "description": "Each key is a field as sent; `non_field_errors` holds what belongs to no one field",
}

FIELD_ERRORS = OpenApiResponse(
    response={"anyOf": [FIELD_ERROR_LISTS, DETAIL]},
    description=(
        "The request was not valid. Each key is a field as sent (`children[0].nhs_number`, `consent_given`); "
        "`non_field_errors` holds what belongs to no one field. A body that is not JSON gets `detail` instead."
    ),
    examples=[
        OpenApiExample(
            "Field errors",
            value={
                "children[0].nhs_number": ["Enter a valid NHS number: check the digits are in the right order"],
                "consent_given": ["Select whether the family agreed to this referral: true or false"],
            },
        ),
        OpenApiExample("Not JSON", value={"detail": "JSON parse error - Expecting value: line 1 column 15 (char 14)"}),
    ],
)
UNAUTHENTICATED = OpenApiResponse(
    DETAIL, description="No valid token or session (a session ends after 30 minutes idle, or 12 hours)"
)
FORBIDDEN = OpenApiResponse(DETAIL, description="Signed in, but not allowed to do this")
NO_SUCH_PAGE = OpenApiResponse(DETAIL, description="No such page of the list")
UNSUPPORTED_MEDIA_TYPE = OpenApiResponse(
    DETAIL, description="The body is not JSON (send `Content-Type: application/json`)"
)


# --- A correction to the generated schema ---------------------------------------------------------------

NULL_OBJECT = {"type": "object", "nullable": True, "enum": [None]}


def nullable_references(result, generator, request, public):
    """A drf-spectacular postprocessing hook. A nullable nested object comes out of the generator
    as `{"allOf": [{"$ref": ...}], "nullable": true}`, but OpenAPI 3.0.3 lets `nullable` add null
    only beside a `type` in the same schema object, so a strict client or validator (openapi-core
    among them) refuses the null the API sends. Here it becomes one of the object or null."""

    def visit(node) -> None:
        if isinstance(node, dict):
            if node.get("nullable") is True and "allOf" in node and "type" not in node:
                del node["nullable"]
                parts = node.pop("allOf")
                node["oneOf"] = [*(parts if len(parts) == 1 else [{"allOf": parts}]), NULL_OBJECT]
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(result)
    return result
