from tests.routes import CIVICLAB_ROUTES, THIRD_PARTY_MODULES, all_routes


def test_every_route_is_in_the_access_table():
    uncovered = [
        (route, name)
        for route, name, module in all_routes()
        if not module.startswith(THIRD_PARTY_MODULES) and name not in CIVICLAB_ROUTES
    ]
    assert not uncovered, f"Add these routes to tests/routes.py and to the isolation tests: {uncovered}"


def test_the_access_table_has_no_stale_entries():
    names = {name for _route, name, _module in all_routes()}
    assert set(CIVICLAB_ROUTES) <= names
