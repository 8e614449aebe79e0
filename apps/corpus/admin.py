from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.urls import path

# The one upward import of the corpus app (ARCHITECTURE.md): a new text of an article
# re-anchors its annotations.
from apps.annotations.anchoring import revise_article
from apps.corpus import admin_import
from apps.corpus import text as canonical_text
from apps.corpus.cleaning import check_patterns
from apps.corpus.decoding import Rejected
from apps.corpus.models import Article, ArticleRevision, Source, Story
from apps.projects.admin_scope import ProjectScopedAdmin


class SourceAdminForm(forms.ModelForm):
    class Meta:
        model = Source
        fields = ["name", "domain", "country", "kind", "description", "boilerplate"]

    def clean_country(self) -> str:
        # Filters and comparison columns treat "gb" and "GB" as one country.
        return self.cleaned_data["country"].strip().upper()

    def clean_boilerplate(self) -> str:
        value = self.cleaned_data["boilerplate"]
        try:
            check_patterns(line for line in value.splitlines() if line.strip())
        except Rejected as error:
            raise forms.ValidationError(str(error)) from None
        return value


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    form = SourceAdminForm
    list_display = ["name", "domain", "country", "kind", "article_count"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "domain"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(ordering="article_count", description="Articles")
    def article_count(self, obj: Source) -> int:
        return obj.article_count  # type: ignore[attr-defined]  # from get_queryset


class ArticleAdminForm(forms.ModelForm):
    url = forms.URLField(label="URL", max_length=1000, required=False, assume_scheme="https")

    class Meta:
        model = Article
        fields = [
            "project",
            "source",
            "title",
            "url",
            "published",
            "byline",
            "language",
            "text",
            "raw",
        ]

    def clean_text(self) -> str:
        text = canonical_text.canonicalize(self.cleaned_data["text"])
        if not text:
            raise forms.ValidationError("The text is empty once cleaned.")
        return text

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        project, text = cleaned.get("project"), cleaned.get("text")
        if project and text:
            duplicate = (
                Article.objects.filter(
                    project=project, content_hash=canonical_text.content_hash(text)
                )
                .exclude(pk=self.instance.pk)
                .first()
            )
            if duplicate:
                self.add_error("text", f"The same text is already in this project: “{duplicate}”.")
        return cleaned

    def save(self, commit=True):
        # A new article gets its text here; a changed text of an existing one becomes a
        # revision in ArticleAdmin.save_model, never an overwrite.
        if self.instance.pk is None:
            self.instance.set_text(self.cleaned_data["text"])
        return super().save(commit)


class RevisionInline(admin.TabularInline):
    model = ArticleRevision
    fields = readonly_fields = ("number", "replaced_at", "replaced_by", "reason", "outcome")
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name_plural = "Earlier texts (revisions)"

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Annotations re-anchored")
    def outcome(self, revision: ArticleRevision) -> str:
        s = revision.summary or {}
        return (
            f"{s.get('exact', 0)} exact, {s.get('moved', 0)} moved, "
            f"{s.get('needs_review', 0)} need review, {s.get('orphaned', 0)} orphaned"
        )


@admin.register(Article)
class ArticleAdmin(ProjectScopedAdmin):
    form = ArticleAdminForm
    list_display = ["title", "source", "published", "project", "word_count", "annotation_count"]
    list_filter = ["project", "source", "published", "language"]
    search_fields = ["title", "url", "byline"]
    date_hierarchy = "published"
    autocomplete_fields = ["project", "source"]
    readonly_fields = ["content_hash", "word_count", "revision", "created_at"]
    inlines = [RevisionInline]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "import/",
                wrap(lambda r: admin_import.upload(r, self)),
                name="corpus_article_import",
            ),
            path(
                "import/<int:batch_id>/",
                wrap(lambda r, batch_id: admin_import.batch(r, self, batch_id)),
                name="corpus_article_import_batch",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("source", "project")
            .defer("text", "raw")
            .annotate(annotation_count=Count("annotations"))
        )

    @admin.display(ordering="annotation_count", description="Annotations")
    def annotation_count(self, obj: Article) -> int:
        return obj.annotation_count  # type: ignore[attr-defined]  # from get_queryset

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # An article's annotations, stories and codebook belong to its project.
        if obj is not None:
            fields += ["project", "raw"]
        return fields

    def save_model(self, request, obj, form, change):
        new_text = form.cleaned_data.get("text")
        if change and "text" in form.changed_data:
            # Annotations index into the text by code point: a changed text becomes a
            # new revision and every annotation is re-anchored (DESIGN §5).
            obj.text = Article.objects.values_list("text", flat=True).get(pk=obj.pk)
            super().save_model(request, obj, form, change)
            summary = revise_article(
                article=obj, new_text=new_text, author=request.user, reason="edited in the admin"
            )
            obj.refresh_from_db()
            if summary is not None:
                level = (
                    messages.WARNING if summary.needs_review or summary.orphaned else messages.INFO
                )
                self.message_user(
                    request,
                    f"New text saved as revision {obj.revision}. Annotations: {summary}.",
                    level,
                )
            return
        super().save_model(request, obj, form, change)


class StoryAdminForm(forms.ModelForm):
    class Meta:
        model = Story
        fields = ["project", "name", "description", "articles"]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        project = cleaned.get("project")
        strangers = [
            a for a in cleaned.get("articles", []) if project and a.project_id != project.pk
        ]
        if strangers:
            self.add_error(
                "articles",
                "These articles belong to another project: "
                + ", ".join(f"“{a}”" for a in strangers),
            )
        return cleaned


@admin.register(Story)
class StoryAdmin(ProjectScopedAdmin):
    form = StoryAdminForm
    list_display = ["name", "project", "article_count"]
    list_filter = ["project"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["project", "articles"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(ordering="article_count", description="Articles")
    def article_count(self, obj: Story) -> int:
        return obj.article_count  # type: ignore[attr-defined]  # from get_queryset
