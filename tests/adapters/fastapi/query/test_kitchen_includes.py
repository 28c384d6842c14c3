"""Includes over composite keys, one-to-one, self-relations and many-to-many (kitchen IR)."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient


def created(client: TestClient, path: str, body: Any) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def test_includes_on_every_kind_of_relation(kitchen: TestClient) -> None:
    regions = [created(kitchen, "/regions", {"country": c, "code": k, "name": f"{c}-{k}"})
               for c, k in (("fr", "idf"), ("fr", "ara"), ("de", "by"))]
    stores = [created(kitchen, "/stores", {"name": f"s{i}", "region_country": r["country"],
                                           "region_code": r["code"]})
              for i, r in enumerate(regions[:2] * 2)]
    boss = created(kitchen, "/employees", {"name": "boss", "store_id": stores[0]["id"]})
    staff = [created(kitchen, "/employees", {"name": f"e{i}", "manager_id": boss["id"]})
             for i in range(3)]
    badge = created(kitchen, "/badges", {"code": "B1", "employee_id": staff[0]["id"]})
    skill = created(kitchen, "/skills", {"name": "sql"})
    assert kitchen.put(f"/employees/{staff[1]['id']}/skills/{skill['id']}").status_code == 204

    by_region = kitchen.get("/regions", params={"include": "stores.employees",
                                                "sort": "country,code"}).json()["data"]
    for region in by_region:
        expected = [s["id"] for s in stores if (s["region_country"], s["region_code"])
                    == (region["country"], region["code"])]
        assert [s["id"] for s in region["stores"]] == sorted(expected)
    assert by_region[0]["stores"] == []  # de/by has none
    first_store = next(s for r in by_region for s in r["stores"] if s["id"] == stores[0]["id"])
    assert [e["id"] for e in first_store["employees"]] == [boss["id"]]
    store_rows = kitchen.get("/stores", params={"include": "region"}).json()["data"]
    assert all(s["region"]["country"] == s["region_country"] for s in store_rows)

    people = {e["id"]: e for e in kitchen.get("/employees", params={
        "include": "manager,reports,badge,skills"}).json()["data"]}
    assert people[boss["id"]]["manager"] is None
    assert [r["id"] for r in people[boss["id"]]["reports"]] == [s["id"] for s in staff]
    assert people[staff[0]["id"]]["manager"]["id"] == boss["id"]
    assert people[staff[0]["id"]]["badge"] == badge
    assert people[staff[1]["id"]]["badge"] is None
    assert people[staff[1]["id"]]["skills"] == [skill]
    assert people[staff[2]["id"]]["skills"] == []
    # a filter along the composite foreign key, and a sort through it
    found = kitchen.get("/stores", params={"region.name": "fr-ara",
                                           "sort": "-region.name"}).json()["data"]
    assert sorted(s["id"] for s in found) == sorted(
        s["id"] for s in stores if s["region_code"] == "ara")
