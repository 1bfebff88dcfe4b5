"""/docs (Swagger UI) and /redoc from assets installed with ETI, so the docs work offline.

The Swagger UI and ReDoc bundles come from the fastapi-offline package (MIT; it ships the
swagger-ui-dist files, Apache-2.0, and redoc's standalone bundle, MIT); our own pages load only
those, ``swagger-init.js`` (no inline script, so the CSP can forbid inline scripts) and the
spec, all from this host.
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from eti.api.errors import problem

router = APIRouter(include_in_schema=False)
ASSETS = {  # name -> (package, file, media type)
    "swagger-ui-bundle.js": ("fastapi_offline", "static/swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
    "swagger-ui.css": ("fastapi_offline", "static/swagger-ui.css", "text/css; charset=utf-8"),
    "redoc.standalone.js": ("fastapi_offline", "static/redoc.standalone.js", "text/javascript; charset=utf-8"),
    "favicon.png": ("fastapi_offline", "static/favicon.png", "image/png"),
    "swagger-init.js": ("eti.api", "docs/swagger-init.js", "text/javascript; charset=utf-8"),
}
PREFIX = "/docs-assets"


def _page(title: str, head: str, body: str) -> HTMLResponse:
    return HTMLResponse(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><link rel="icon" href="{PREFIX}/favicon.png">{head}</head>
<body>{body}</body></html>""")


@router.get("/docs")
async def swagger(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return _page("ETI API - Swagger UI", f'<link rel="stylesheet" href="{root}{PREFIX}/swagger-ui.css">',
                 f'<div id="swagger-ui" data-openapi="{root}/openapi.json"></div>'
                 f'<script src="{root}{PREFIX}/swagger-ui-bundle.js"></script>'
                 f'<script src="{root}{PREFIX}/swagger-init.js"></script>')


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return _page("ETI API - ReDoc", "<style>body{margin:0}</style>",
                 f'<redoc spec-url="{root}/openapi.json"></redoc><script src="{root}{PREFIX}/redoc.standalone.js"></script>')


@router.get(PREFIX + "/{name}")
async def asset(name: str):
    if name not in ASSETS:
        return problem(404, "Not found", "No such documentation asset.")
    package, path, media = ASSETS[name]
    return FileResponse(str(resources.files(package) / path), media_type=media,
                        headers={"Cache-Control": "public, max-age=86400"})
