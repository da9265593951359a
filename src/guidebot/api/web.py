"""The widget script, its settings, and the demo page that embeds it the way a Smart page would."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from guidebot.api.errors import ApiError
from guidebot.api.schemas import AdviserOfficeOut, WidgetConfig
from guidebot.config import Settings

router = APIRouter(tags=["widget"])

EXAMPLES = {
    "fr": [
        "Combien coûte une part de Smart ?",
        "Quand mon salaire est-il versé ?",
        "Comment facturer un client dans l'outil Activité ?",
    ],
    "nl": ["Hoeveel kost een aandeel van Smart?", "Wanneer wordt mijn loon betaald?"],
    "en": ["How much does a Smart share cost?", "When is my salary paid?"],
}
# The demo page runs only our own script; even a rendering bug could not run an injected inline handler.
DEMO_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def _web_file(settings: Settings, name: str) -> Path:
    path = settings.web_dir / name
    if not path.is_file():
        raise ApiError(404, "not_found", f"{name} is not installed (GUIDEBOT_WEB_DIR={settings.web_dir})")
    return path


@router.get("/", include_in_schema=False)
async def demo_page(request: Request) -> Response:
    path = _web_file(request.app.state.settings, "index.html")
    return FileResponse(
        path,
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": DEMO_CSP, "X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"},
    )


@router.get(
    "/widget.js",
    summary="The widget: embed with one script tag",
    response_class=FileResponse,
    responses={200: {"content": {"text/javascript": {}}, "description": "The widget script."}},
)
async def widget_script(request: Request) -> Response:
    path = _web_file(request.app.state.settings, "widget.js")
    return FileResponse(
        path,
        media_type="text/javascript; charset=utf-8",
        headers={
            "Cache-Control": "public, max-age=300",
            "X-Content-Type-Options": "nosniff",
            # any page may load the script; what it may call is decided by the CORS allow-list
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )


@router.get("/api/widget/config", response_model=WidgetConfig, summary="What the widget shows around answers")
async def widget_config(request: Request) -> WidgetConfig:
    settings: Settings = request.app.state.settings
    offices = [AdviserOfficeOut.model_validate(o.model_dump()) for o in settings.adviser_offices]
    return WidgetConfig(
        adviser_url=settings.adviser_url,
        adviser_contact=settings.adviser_contact,
        adviser_offices=offices,
        examples=EXAMPLES,
    )
