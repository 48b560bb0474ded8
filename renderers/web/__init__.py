"""The web renderer: the applicant's journey in a browser (Bottle + Jinja2) over the engine
and the store. `app.make_app(settings)` builds the WSGI application; each route module
has `install(app, web)`. Imports only the engine's public names and never another renderer.
"""
