from rag.units import canonical_forms, parse_note, split_units


def test_left_out_prefix_is_restored_per_group():
    assert split_units("市委网信办、老干部局，市科技局、公安局") == ["市委网信办", "市委老干部局", "市科技局", "市公安局"]


def test_market_regulator_is_not_read_as_a_prefixed_name():
    assert split_units("市科技局、市场监管局") == ["市科技局", "市市场监管局"]


def test_self_contained_names_keep_their_own_form():
    assert split_units("市卫健局、绥芬河镇、老科协，团市委、呼和浩特职业学院") == [
        "市卫健局", "绥芬河镇", "老科协", "团市委", "呼和浩特职业学院"]


def test_trailing_etc_and_doubled_suffix_are_dropped():
    assert split_units("县科协、晋城市生态环境局局泽州分局等单位") == ["县科协", "晋城市生态环境局泽州分局"]


def test_aliases_take_the_plans_own_most_used_spelling():
    forms = canonical_forms(["县卫体局", "县卫生健康和体育局", "县卫生健康和体育局", "县应急局", "县应急管理局"])
    assert forms["县卫体局"] == "县卫生健康和体育局"
    assert forms["县应急局"] == "县应急管理局"
    assert canonical_forms(["市卫健委"])["市卫健委"] == "市卫健委"


def test_labelled_note():
    note = parse_note("**牵头单位：**市教育局，**责任单位：**市委宣传部，市发改委、科技局")
    assert note.lead == ("市教育局",)
    assert note.responsible == ("市委宣传部", "市发改委", "市科技局")
    assert note.lead_raw == "市教育局"


def test_verb_note():
    note = parse_note("县教育局、县科协牵头，县委宣传部、团县委等单位配合")
    assert note.lead == ("县教育局", "县科协")
    assert note.responsible == ("县委宣传部", "团县委")


def test_text_without_units_is_not_a_note():
    assert parse_note("发明、制作") is None
