"""Fifty analysts at work: reading, comparing, annotating, editing.

Run through ``loadtest/run.sh`` (it prepares the data and serves the app with gunicorn).
Each simulated analyst logs in with their own account, then repeatedly opens an article,
selects a passage and saves an annotation, edits one of their own, and opens the
comparison screens, with a second or two of thought in between.
"""

import html
import itertools
import json
import random
import re
import uuid

from locust import HttpUser, between, task

PROJECT = "load-test"
PASSWORD = "load-test-password"
_accounts = itertools.count()

SEGMENT = re.compile(r'<span class="seg" data-o="(\d+)">([^<]{40,})</span>')
HASH = re.compile(r'data-hash="([0-9a-f]{64})"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
ARTICLE = re.compile(rf'href="(/p/{PROJECT}/articles/\d+/)"')
STORY = re.compile(rf'href="/p/{PROJECT}/stories/(\d+)/"')
LISTED = re.compile(r'<li class="annotation-item[^"]*" id="a(\d+)"')


class Analyst(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        self.username = f"load-analyst-{next(_accounts) % 50:02d}"
        page = self.client.get("/accounts/login/", name="login page")
        token = CSRF.search(page.text).group(1)
        self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="log in",
        )
        home = self.client.get(f"/p/{PROJECT}/", name="project home")
        self.articles = ARTICLE.findall(home.text)
        self.stories = STORY.findall(home.text)
        # Their annotations: (edit URL, the reader it was made in, the ids its list shows).
        self.mine: list[tuple[str, str, str]] = []

    def _csrf(self) -> dict:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", "")}

    @task(5)
    def read_and_annotate(self):
        url = random.choice(self.articles)
        page = self.client.get(url, name="reader")
        segments = SEGMENT.findall(page.text)
        found = HASH.search(page.text)
        if not segments or not found:
            return
        offset, text = random.choice(segments)
        quote = html.unescape(text)[:30]  # offsets count code points, as Python does
        start = int(offset)
        listed = LISTED.findall(page.text)
        response = self.client.post(
            url + "annotations/",
            {
                "start": start,
                "end": start + len(quote),
                "quote": quote,
                "text_hash": found.group(1),
                "client_token": str(uuid.uuid4()),
                "note": "load test",
                # As the page's script sends it: the ids its list shows.
                "listed": ",".join(listed),
            },
            headers={
                **self._csrf(),
                "HX-Request": "true",
                "HX-Current-URL": self.client.base_url + url,
            },
            name="create annotation",
        )
        # The new annotation's id, as the page's script learns it (the answer's event).
        saved = json.loads(response.headers.get("HX-Trigger") or "{}").get("annotationSaved")
        if saved:
            pk = str(saved["id"])
            edit = f"/p/{PROJECT}/annotations/{pk}/edit/"
            self.mine.append((edit, url, ",".join([*listed, pk])))

    @task(2)
    def edit_own(self):
        if not self.mine:
            return
        mine = random.choice(self.mine)
        url, reader, listed = mine
        form = self.client.get(url, headers={"HX-Request": "true"}, name="edit form")
        version = VERSION.search(form.text)
        if not version:
            self.mine.remove(mine)
            return
        # From the reader, as its script posts it: the ids its list shows (the answer is
        # then the changed parts only, unless someone else wrote on the article since).
        self.client.post(
            url,
            {
                "version": version.group(1),
                "note": f"edited {uuid.uuid4().hex[:6]}",
                "listed": listed,
            },
            headers={
                **self._csrf(),
                "HX-Request": "true",
                "HX-Current-URL": self.client.base_url + reader,
            },
            name="edit annotation",
        )

    @task(2)
    def compare(self):
        story = random.choice(self.stories)
        self.client.get(f"/p/{PROJECT}/compare/?story={story}", name="story comparison")

    @task(1)
    def matrix(self):
        rows = random.choice(["tags", "claims", "actors"])
        self.client.get(f"/p/{PROJECT}/compare/matrix/?rows={rows}", name="matrix")
