from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from interviews.scorecards.charts import PALETTE, RadarSeries, radar_legend, radar_svg

SVG = "{http://www.w3.org/2000/svg}"
SCORES = {
    "attitude": 10,
    "communication": 5,
    "technical": 10,
    "strategic": 5,
    "leadership": 10,
    "english": None,
}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def series_points(root: ET.Element, n: int = 0) -> list[tuple[float, float]]:
    polygon = next(p for p in root.iter(f"{SVG}polygon") if f"radar-series-{n}" in p.get("class"))
    return [tuple(map(float, pair.split(","))) for pair in polygon.get("points").split()]


def test_the_radar_chart_is_valid_svg_with_six_axes_and_one_polygon_per_series():
    root = parse(radar_svg([RadarSeries("A", SCORES), RadarSeries("B", {"technical": 3})]))

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert len(list(root.iter(f"{SVG}line"))) == 6
    series = [p for p in root.iter(f"{SVG}polygon") if "radar-series" in p.get("class")]
    assert len(series) == 2
    assert [p.get("stroke") for p in series] == list(PALETTE[:2])


def test_scores_sit_at_their_distance_and_a_missing_score_at_the_centre():
    root = parse(radar_svg([RadarSeries("A", SCORES)], size=200))
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    cx, cy = width / 2, height / 2

    points = series_points(root)
    distances = [round(((x - cx) ** 2 + (y - cy) ** 2) ** 0.5) for x, y in points]

    assert distances == [100, 50, 100, 50, 100, 0]
    assert points[0][0] == cx and points[0][1] < cy  # the first axis points up
    # Only scored dimensions get a dot.
    assert len(list(root.iter(f"{SVG}circle"))) == 5


def test_a_dimension_without_evidence_is_labelled_not_applicable():
    root = parse(radar_svg([RadarSeries("A", SCORES)]))
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert any(re.search(r"\((n/a|n/d)\)", label or "") for label in labels)
    assert any(label.endswith(" 10") for label in labels)


def test_names_are_escaped():
    svg = radar_svg([RadarSeries('<script>alert("x")</script>', SCORES)])
    assert "<script>" not in svg
    parse(svg)  # still well-formed


def test_the_legend_pairs_each_series_with_its_colour():
    series = [RadarSeries(str(n), SCORES) for n in range(7)]
    assert radar_legend(series)[:2] == [("0", PALETTE[0]), ("1", PALETTE[1])]
    assert radar_legend(series)[6][1] == PALETTE[0]
