"""The content team's evals in the console: start ``guidebot eval`` in the background, list the runs, open a
run's HTML report (``/api/console/evals``, permission ``evals``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict

from guidebot.api.console_auth import CanRunEvals
from guidebot.api.errors import ApiError
from guidebot.api.limits import client_ip
from guidebot.api.schemas import CONSOLE_ERRORS, ErrorResponse, EvalsOut, EvalStartOut
from guidebot.evals.jobs import RUN_ID_PATTERN, EvalRunner, list_runs, report_path

api = APIRouter(prefix="/api/console/evals", tags=["console"], responses=CONSOLE_ERRORS)
# the report is our own escaped HTML with an inline style and data: images; it may run nothing
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'; sandbox"
)
RunId = Annotated[str, PathParam(pattern=RUN_ID_PATTERN, max_length=80)]


def _runner(request: Request) -> EvalRunner:
    runner: EvalRunner = request.app.state.evals
    return runner


class EvalStartRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    split: Literal["test"] = "test"


@api.get(
    "",
    response_model=EvalsOut,
    summary="The eval run under way (or the last one) and the latest runs, each compared with the one before",
)
async def evals(request: Request, session: CanRunEvals) -> dict[str, Any]:
    runner = _runner(request)
    job = runner.job()
    runs = await run_in_threadpool(list_runs, runner.runs_dir)
    return {"job": job.public() if job else None, "runs": runs}


@api.post(
    "",
    status_code=202,
    response_model=EvalStartOut,
    summary="Start `guidebot eval` on the test split in the background (one run at a time)",
    responses={409: {"model": ErrorResponse, "description": "A run is already under way (`eval_running`)."}},
)
async def start_eval(body: EvalStartRequest, request: Request, session: CanRunEvals) -> dict[str, Any]:
    runner = _runner(request)
    job = await run_in_threadpool(runner.start, session.user, body.split, client_ip(request))
    return {"job": job.public()}


@api.get("/{run_id}/report", summary="A run's HTML report, as `guidebot eval` wrote it", response_class=FileResponse)
async def eval_report(run_id: RunId, request: Request, session: CanRunEvals) -> FileResponse:
    path = report_path(_runner(request).runs_dir, run_id)
    if path is None:
        raise ApiError(404, "run_not_found", f"no report for run {run_id}")
    return FileResponse(
        path,
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": REPORT_CSP, "X-Frame-Options": "DENY"},
    )
