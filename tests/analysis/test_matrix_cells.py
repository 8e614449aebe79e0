"""The matrix's cells, written by a template tag instead of a template loop: the same
HTML as that loop, and every value escaped."""

import re
from types import SimpleNamespace

from django.template import Context, Template

from apps.analysis.templatetags.analysis_extras import matrix_cells

# The loop the tag replaced, as templates/analysis/matrix.html had it.
LOOP = Template(
    "{% load l10n %}{% localize off %}{% for cell in row.cells %}"
    '<td class="heat-{{ cell.heat }}">{% if cell.count %}<a href="{{ cell.url }}">'
    '<span class="n">{{ cell.count }}</span>{% if cell.per_1000_words is not None %}'
    '<span class="rate">{{ cell.per_1000_words }}</span>{% endif %}</a>'
    '{% else %}<span class="zero">0</span>{% endif %}</td>{% endfor %}{% endlocalize %}'
)


def _cell(count, rate, heat, url):
    return SimpleNamespace(count=count, per_1000_words=rate, heat=heat, url=url)


def test_the_tag_writes_what_the_template_loop_wrote():
    row = SimpleNamespace(
        cells=[
            _cell(0, None, 0, "/p/x/cell/?row=1&column=2"),
            _cell(0, 0.0, 0, "/p/x/cell/?row=1&column=3"),
            _cell(12, 3.25, 4, "/p/x/cell/?q=a%22b&row=1&column=4"),
            _cell(1234567, 1234.5, 5, '/p/x/cell/?q="><script>&row=2&column=5'),
            _cell(3, None, 1, "/p/x/cell/?layer=gold&row=3&column=week-2016-01-04"),
        ]
    )
    assert str(matrix_cells(row)) == LOOP.render(Context({"row": row}))


def test_a_cell_link_is_escaped():
    row = SimpleNamespace(cells=[_cell(2, 1.5, 2, '/cell/?q="><script>alert(1)</script>&row=1')])
    html = str(matrix_cells(row))
    assert "<script>" not in html
    assert re.search(
        r'href="/cell/\?q=&quot;&gt;&lt;script&gt;alert\(1\)&lt;/script&gt;&amp;row=1"', html
    )
