"""HTTP routes: validation in, schemas out, logic in the service.

Table: cards
"""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Response, status

from app.core.errors import problem_responses
from app.db.session import SessionDep
from app.schemas.base import INT64_MAX
from app.schemas.cards import CardCreate, CardDetail, CardListQuery, CardPage, CardRead, CardUpdate
from app.services.cards import CardService

router = APIRouter(tags=["cards"])


async def provide_service(session: SessionDep) -> CardService:
    # async: a plain def dependency would run in a worker thread on every request.
    return CardService(session)


Service = Annotated[CardService, Depends(provide_service)]
ItemId = Annotated[int, Path(ge=1, le=INT64_MAX)]
ListParams = Annotated[CardListQuery, Query()]
ParentId = UUID


@router.get(
    "/boards/{board_id}/cards",
    responses=problem_responses(404, 422),
    operation_id="cards-list-by-board",
    summary="List the cards of a board",
    response_model_exclude_unset=True,
)
async def list_nested_cards(board_id: ParentId, params: ListParams, service: Service) -> CardPage:
    items, total = await service.list_for_board(board_id, params)
    return CardPage.model_validate(
        {"items": items, "total": total, "limit": params.limit, "offset": params.offset}
    )


@router.post(
    "/boards/{board_id}/cards",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 404, 409, 422),
    operation_id="cards-create",
    summary="Create a card",
)
async def create_card(board_id: ParentId, payload: CardCreate, service: Service) -> CardRead:
    item = await service.create(board_id, payload)
    return CardRead.model_validate(item)


@router.get(
    "/cards/{card_id}",
    responses=problem_responses(404, 422),
    operation_id="cards-get",
    summary="Get a card",
    response_model_exclude_unset=True,
)
async def get_card(
    card_id: ItemId,
    service: Service,
    include: Annotated[str | None, Query(pattern="^(board)(,(board))*$")] = None,
) -> CardDetail:
    item = await service.get(card_id, include.split(",") if include else ())
    return CardDetail.model_validate(item)


@router.patch(
    "/cards/{card_id}",
    responses=problem_responses(400, 404, 409, 422),
    operation_id="cards-update",
    summary="Update a card: only the fields given change",
)
async def update_card(card_id: ItemId, payload: CardUpdate, service: Service) -> CardRead:
    return CardRead.model_validate(await service.update(card_id, payload))


@router.delete(
    "/cards/{card_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    # A 204 has no body, so no content type either.
    response_class=Response,
    responses=problem_responses(404, 409, 422),
    operation_id="cards-delete",
    summary="Delete a card",
)
async def delete_card(card_id: ItemId, service: Service) -> None:
    await service.delete(card_id)
