"""Links from before the rename (/cycles/...) still reach the same pages."""

from sprint.models import Role


def test_an_old_season_link_lands_on_the_same_page_with_method_and_query(client, make, login):
    program = make.program()
    coordinator = make.user(Role.COORDINATOR, program)
    season = make.season(program)
    login(coordinator)

    listing = client.get("/coordinator/cycles")
    page = client.get(f"/coordinator/cycles/{season.id}", follow_redirects=True)
    posted = client.post(f"/coordinator/runs/cycles/{season.id}/new?cycle={season.id}&x=1")

    assert (listing.status_code, listing.location) == (308, "/coordinator/seasons")
    assert page.status_code == 200 and season.name in page.get_data(as_text=True)
    assert posted.status_code == 308
    assert posted.location == f"/coordinator/runs/seasons/{season.id}/new?season={season.id}&x=1"


def test_an_old_link_gives_nothing_away_to_someone_who_may_not_see_the_page(client, make, login):
    program, other = make.program(), make.program(slug="other")
    season = make.season(program)
    login(make.user(Role.COORDINATOR, other))

    response = client.get(f"/coordinator/cycles/{season.id}", follow_redirects=True)

    assert response.status_code == 404
