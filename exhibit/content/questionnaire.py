"""The optional ``questionnaire.yaml``: the visitors' evaluation questions, in every language."""

from __future__ import annotations

from .model import Choice, Localized, Question, Questionnaire
from .rules import Context, choice, ident, listing, localized, mapping
from .yamlsource import check_fields, load_yaml

QUESTIONNAIRE_FILE = "questionnaire.yaml"
QUESTION_KINDS = ("rating", "choice")
RATING_SCALE = ("1", "2", "3", "4", "5")


def questionnaire(ctx: Context) -> Questionnaire | None:
    """The questionnaire in the content folder, or None (no file, or problems: logged)."""
    path = ctx.root / QUESTIONNAIRE_FILE
    if not path.is_file() and not path.is_symlink():
        return None
    data = load_yaml(path, ctx.errors, within=ctx.root)
    if data is None:
        return None
    check_fields(data, path, ctx.errors, required=("title", "thanks", "questions"),
                 optional=("intro",))
    title = localized(ctx, data, "title", path)
    intro = localized(ctx, data, "intro", path)
    thanks = localized(ctx, data, "thanks", path)
    questions: list[Question] = []
    items = listing(ctx, data, "questions", path)
    for i, item in enumerate(items):
        where = f"questions[{i + 1}]"
        if not mapping(ctx, item, path, items.line_of(i), where):
            continue
        check_fields(item, path, ctx.errors, required=("id", "kind", "text"),
                     optional=("choices", "low", "high"), where=where)
        question_id = ident(ctx, item, "id", path)
        kind = choice(ctx, item, "kind", path, QUESTION_KINDS, what="question kind")
        if "kind" in item and kind is None:
            continue
        text = localized(ctx, item, "text", path)
        choices: list[Choice] = []
        if kind == "rating":
            for end in ("low", "high"):
                if end not in item:
                    ctx.errors.add(path, item.line, f"missing field '{end}' in {where}: a "
                                                    f"rating labels its ends (1 and 5)")
            low = localized(ctx, item, "low", path, what="'low' (label of 1)")
            high = localized(ctx, item, "high", path, what="'high' (label of 5)")
            for value in RATING_SCALE:
                label = low if value == "1" else high if value == "5" else None
                choices.append(Choice(value, label or Localized(
                    {lang: value for lang in ctx.languages})))
            if low is None or high is None:
                continue
        elif kind == "choice":
            raw = listing(ctx, item, "choices", path)
            if len(raw) < 2:
                ctx.errors.add(path, item.line_of("choices") if "choices" in item else item.line,
                               "a choice question needs at least two choices")
            for j, entry in enumerate(raw):
                if not mapping(ctx, entry, path, raw.line_of(j), f"{where}.choices[{j + 1}]"):
                    continue
                check_fields(entry, path, ctx.errors, required=("id", "label"),
                             where=f"{where}.choices[{j + 1}]")
                choice_id = ident(ctx, entry, "id", path)
                label = localized(ctx, entry, "label", path)
                if choice_id and label:
                    choices.append(Choice(choice_id, label))
        if question_id and any(q.id == question_id for q in questions):
            ctx.errors.add(path, item.line_of("id"), f"question '{question_id}' is listed twice")
        elif question_id and text and choices:
            questions.append(Question(question_id, kind, text, tuple(choices)))
    if not (title and thanks and questions):
        return None
    return Questionnaire(title, intro, thanks, tuple(questions))
