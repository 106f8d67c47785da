"""The OpenAPI document is one a client generator can use."""

import re
from http import HTTPStatus
from typing import Any

from fastapi.routing import APIRoute
from pydantic import BaseModel

from app.main import app

PROBLEM_JSON = "application/problem+json"


def operations() -> list[dict[str, Any]]:
    return [
        operation
        for path in app.openapi()["paths"].values()
        for method, operation in path.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_operation_ids_are_unique_tag_action_names() -> None:
    ids = [operation["operationId"] for operation in operations()]
    assert len(ids) == len(set(ids))
    for operation_id in ids:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", operation_id), operation_id


def test_every_error_response_is_a_shared_problem_schema() -> None:
    components = app.openapi()["components"]["schemas"]
    for operation in operations():
        for status, response in operation["responses"].items():
            if int(status) < HTTPStatus.BAD_REQUEST:
                continue
            (media_type,) = response["content"]
            assert media_type == PROBLEM_JSON, (operation["operationId"], status)
            ref = response["content"][PROBLEM_JSON]["schema"]["$ref"]
            assert ref.rsplit("/", 1)[-1] in components


def test_no_content_responses_document_no_body() -> None:
    for operation in operations():
        if "204" in operation["responses"]:
            assert "content" not in operation["responses"]["204"], operation["operationId"]


def test_every_request_body_has_an_example_it_accepts() -> None:
    for route in app.routes:
        if not isinstance(route, APIRoute) or route.body_field is None:
            continue
        model = route.body_field.field_info.annotation
        assert isinstance(model, type), route.path
        assert issubclass(model, BaseModel), route.path
        examples = model.model_json_schema().get("examples")
        assert examples, f"{model.__name__} has no example"
        for example in examples:
            model.model_validate(example)
