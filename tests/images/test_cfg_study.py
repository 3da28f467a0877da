from synclr_lib.images.cfg_study import trend_table, trends


def test_trend_table_has_steps_and_overall_per_measure(paired_scores):
    fid = paired_scores({1.0: 0.0, 2.5: 0.2, 8.0: 0.3}, noise=0.05, column="fidelity_object")
    div = paired_scores({1.0: 24.0, 2.5: 21.0, 8.0: 18.0}, column="diversity", seed=1)
    table = trend_table(fid.merge(div, on=["cfg_scale", "caption_id"]))
    assert list(table.columns) == ["measure", "kind", "from", "to", "captions", "change", "low", "high"]
    assert table.groupby("measure")["kind"].apply(list).to_dict() == {
        "fidelity_object": ["step", "step", "overall"], "diversity": ["step", "step", "overall"]}
    overall = table[(table.measure == "diversity") & (table.kind == "overall")].iloc[0]
    assert (overall["from"], overall["to"], overall["captions"]) == (1.0, 8.0, 200)
    assert trends(table) == {"fidelity_object": "rises", "diversity": "falls"}
