"""The filter bar's lists are written as strings (``projects.templatetags.choices``):
every value and label escaped, the chosen ones selected or ticked, trees in order with
their depth, on every analysis screen."""

import pytest
from django.urls import reverse

from tests import factories


@pytest.mark.parametrize("screen", ["matrix", "compare", "charts", "search", "agreement"])
def test_the_filter_bar_lists_the_project_escaped_with_the_choice_kept(client, cast, screen):
    outlet = factories.make_source("<Daily> & Co")
    article = factories.make_article(cast.project, source=outlet)
    story = factories.make_story(cast.project, article, name="Talks “in” <Geneva>")
    parent = factories.make_tag(cast.project, "<frame>")
    child = factories.make_tag(cast.project, "aid & trade", parent=parent)
    top = factories.make_claim(cast.project, "Sanctions " + "work " * 20)
    under = factories.make_claim(cast.project, "They <b>hurt</b> exporters", parent=top)
    actor = factories.make_actor(cast.project, 'The "Kremlin"')
    client.force_login(cast.analyst)
    query = (
        f"story={story.pk}&source={outlet.pk}&tag={child.pk}&claim={under.pk}"
        f"&speaker={actor.pk}&annotator={cast.owner.username}"
    )
    html = client.get(f"{reverse(f'analysis:{screen}', args=[cast.project.slug])}?{query}").text
    assert f'<option value="{story.pk}" selected>Talks “in” &lt;Geneva&gt;</option>' in html
    assert (
        f'<label class="check"><input type="checkbox" name="source" value="{outlet.pk}" '
        "checked> &lt;Daily&gt; &amp; Co</label>" in html
    )
    # The tree: the parent, then its child one level in, ticked.
    frame = f'<label class="check depth-0"><input type="checkbox" name="tag" value="{parent.pk}">'
    aid = (
        f'<label class="check depth-1"><input type="checkbox" name="tag" value="{child.pk}" '
        "checked> aid &amp; trade</label>"
    )
    assert frame in html and aid in html and html.index(frame) < html.index(aid)
    # A claim: indented by its depth, cut at 60 characters, escaped.
    assert f'<option value="{top.pk}">Sanctions work work' in html
    assert "work …</option>" in html or "work…</option>" in html
    assert (
        f'<option value="{under.pk}" selected>\u2003They &lt;b&gt;hurt&lt;/b&gt; exporters'
        "</option>" in html
    )
    # The same actors for speaker and target; only the speaker chosen.
    speaker, target = html.split('<select name="speaker">')[1].split('<select name="target">')
    assert f'<option value="{actor.pk}" selected>The &quot;Kremlin&quot;</option>' in speaker
    assert f'<option value="{actor.pk}">The &quot;Kremlin&quot;</option>' in target
    owner = f'<option value="{cast.owner.username}" selected>{cast.owner.display_name}</option>'
    assert owner in html
