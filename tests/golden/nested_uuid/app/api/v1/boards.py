"""HTTP routes: validation in, schemas out, logic in the service.

Table: boards
"""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response, status

from app.core.errors import problem_responses
from app.db.session import SessionDep
from app.schemas.boards import BoardCreate, BoardListQuery, BoardPage, BoardRead, BoardUpdate
from app.services.boards import BoardService

router = APIRouter(tags=["boards"])


async def provide_service(session: SessionDep) -> BoardService:
    # async: a plain def dependency would run in a worker thread on every request.
    return BoardService(session)


Service = Annotated[BoardService, Depends(provide_service)]
ItemId = UUID
ListParams = Annotated[BoardListQuery, Query()]


@router.get(
    "/boards",
    responses=problem_responses(422),
    operation_id="boards-list",
    summary="List boards",
)
async def list_boards(params: ListParams, service: Service) -> BoardPage:
    items, total = await service.list_page(params)
    return BoardPage.model_validate(
        {"items": items, "total": total, "limit": params.limit, "offset": params.offset}
    )


@router.post(
    "/boards",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 409, 422),
    operation_id="boards-create",
    summary="Create a board",
)
async def create_board(payload: BoardCreate, service: Service) -> BoardRead:
    item = await service.create(payload)
    return BoardRead.model_validate(item)


@router.get(
    "/boards/{board_id}",
    responses=problem_responses(404, 422),
    operation_id="boards-get",
    summary="Get a board",
)
async def get_board(board_id: ItemId, service: Service) -> BoardRead:
    return BoardRead.model_validate(await service.get(board_id))


@router.patch(
    "/boards/{board_id}",
    responses=problem_responses(400, 404, 409, 422),
    operation_id="boards-update",
    summary="Update a board: only the fields given change",
)
async def update_board(board_id: ItemId, payload: BoardUpdate, service: Service) -> BoardRead:
    return BoardRead.model_validate(await service.update(board_id, payload))


@router.delete(
    "/boards/{board_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    # A 204 has no body, so no content type either.
    response_class=Response,
    responses=problem_responses(404, 409, 422),
    operation_id="boards-delete",
    summary="Delete a board",
)
async def delete_board(board_id: ItemId, service: Service) -> None:
    await service.delete(board_id)
