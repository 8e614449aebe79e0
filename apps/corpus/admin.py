from django import forms
from django.contrib import admin
from django.db.models import Count

from apps.corpus import text as canonical_text
from apps.corpus.models import Article, Source, Story


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "country", "kind", "article_count"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "domain"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(ordering="article_count", description="Articles")
    def article_count(self, obj: Source) -> int:
        return obj.article_count


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
        cleaned = super().clean()
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
        self.instance.set_text(self.cleaned_data["text"])
        return super().save(commit)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["title", "source", "published", "project", "word_count", "annotation_count"]
    list_filter = ["project", "source", "published", "language"]
    search_fields = ["title", "url", "byline"]
    date_hierarchy = "published"
    autocomplete_fields = ["project", "source"]
    readonly_fields = ["content_hash", "word_count", "created_at"]

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
        return obj.annotation_count

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # Annotations index into the text by code point: once one exists, the text and
        # the project are fixed (DESIGN §5; corrections become revisions).
        if obj is not None and obj.annotations.exists():
            fields += ["project", "text", "raw"]
        return fields


class StoryAdminForm(forms.ModelForm):
    class Meta:
        model = Story
        fields = ["project", "name", "description", "articles"]

    def clean(self):
        cleaned = super().clean()
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
class StoryAdmin(admin.ModelAdmin):
    form = StoryAdminForm
    list_display = ["name", "project", "article_count"]
    list_filter = ["project"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["project", "articles"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(ordering="article_count", description="Articles")
    def article_count(self, obj: Story) -> int:
        return obj.article_count
