"""/api/openapi.json describes every JSON endpoint the app serves, with the schemas that validate it."""
from webapp.api.openapi import openapi_path


def test_spec_covers_every_api_route(app, client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    served = {
        (openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") and rule.endpoint != "api.openapi_json"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, operations in spec["paths"].items() for method in operations}
    assert served == documented
    assert len(served) >= 13


def test_request_bodies_reference_real_schemas(client):
    spec = client.get("/api/openapi.json").get_json()
    register = spec["paths"]["/api/users/register"]["post"]
    ref = register["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(schema["required"]) == {"email", "password", "display_name"}
