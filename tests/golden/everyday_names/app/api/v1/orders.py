"""HTTP routes: validation in, schemas out, logic in the service.

Table: orders
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from app.core.errors import problem_responses
from app.db.session import SessionDep
from app.schemas.base import INT64_MAX
from app.schemas.orders import (
    OrderCreate,
    OrderDetail,
    OrderListQuery,
    OrderPage,
    OrderRead,
    OrderUpdate,
)
from app.services.orders import OrderService

router = APIRouter(tags=["orders"])


async def provide_service(session: SessionDep) -> OrderService:
    # async: a plain def dependency would run in a worker thread on every request.
    return OrderService(session)


Service = Annotated[OrderService, Depends(provide_service)]
ItemId = Annotated[int, Path(ge=1, le=INT64_MAX)]
ListParams = Annotated[OrderListQuery, Query()]


@router.get(
    "/orders",
    responses=problem_responses(422),
    operation_id="orders-list",
    summary="List orders",
    response_model_exclude_unset=True,
)
async def list_orders(params: ListParams, service: Service) -> OrderPage:
    items, total = await service.list_page(params)
    return OrderPage.model_validate(
        {"items": items, "total": total, "limit": params.limit, "offset": params.offset}
    )


@router.post(
    "/orders",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 409, 422),
    operation_id="orders-create",
    summary="Create an order",
)
async def create_order(payload: OrderCreate, service: Service) -> OrderRead:
    item = await service.create(payload)
    return OrderRead.model_validate(item)


@router.get(
    "/orders/{order_id}",
    responses=problem_responses(404, 422),
    operation_id="orders-get",
    summary="Get an order",
    response_model_exclude_unset=True,
)
async def get_order(
    order_id: ItemId,
    service: Service,
    include: Annotated[str | None, Query(pattern="^(user_ref)(,(user_ref))*$")] = None,
) -> OrderDetail:
    item = await service.get(order_id, include.split(",") if include else ())
    return OrderDetail.model_validate(item)


@router.patch(
    "/orders/{order_id}",
    responses=problem_responses(400, 404, 409, 422),
    operation_id="orders-update",
    summary="Update an order: only the fields given change",
)
async def update_order(order_id: ItemId, payload: OrderUpdate, service: Service) -> OrderRead:
    return OrderRead.model_validate(await service.update(order_id, payload))


@router.delete(
    "/orders/{order_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    # A 204 has no body, so no content type either.
    response_class=Response,
    responses=problem_responses(404, 409, 422),
    operation_id="orders-delete",
    summary="Delete an order",
)
async def delete_order(order_id: ItemId, service: Service) -> None:
    await service.delete(order_id)
