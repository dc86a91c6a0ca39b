from rag.places import english_name, find_places, place_slug

CITIES = ["绥芬河市", "湘潭市", "泽州县", "呼和浩特市"]


def test_places_are_found_by_every_name_people_use():
    assert find_places("who leads the elderly action in Hohhot?", CITIES) == ["呼和浩特市"]
    assert find_places("Huhe Haote farmers", CITIES) == ["呼和浩特市"]
    assert find_places("呼市老年人", CITIES) == ["呼和浩特市"]
    assert find_places("Suifenhe's plan", CITIES) == ["绥芬河市"]
    assert find_places("Zezhou county and XIANGTAN", CITIES) == ["湘潭市", "泽州县"]
    assert find_places("shoes in Paris", CITIES) == []


def test_english_names_and_slugs():
    assert english_name("呼和浩特市") == "Hohhot"
    assert english_name("泽州县") == "Zezhou County"
    assert [place_slug(c) for c in CITIES] == ["suifenhe", "xiangtan", "zezhou", "hohhot"]
