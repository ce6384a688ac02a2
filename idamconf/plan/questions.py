"""Requestor questions in the plan's normal form, and as Graph's accessPackageQuestion subtypes.

A question is text or a choice among values (each offered as written); localized texts are by language code. Only
what differs from Graph's defaults is in the normal form (on both sides), so a plain required question reads
`question1.text = "…"`, `question1.required = true`.
"""

from __future__ import annotations

TEXT, CHOICE = "#microsoft.graph.accessPackageTextInputQuestion", "#microsoft.graph.accessPackageMultipleChoiceQuestion"


def normal(question) -> dict:
    """A config/model.Question in the normal form."""
    attributes = {"text": question.text, "required": question.required}
    if question.choices:
        attributes["choices"] = list(question.choices)
        if question.multiple:
            attributes["multipleSelection"] = True
    elif not question.single_line:
        attributes["singleLine"] = False
    if question.localized:
        attributes["localizedText"] = dict(question.localized)
    return attributes


def read(question: dict) -> dict:
    """A Graph question in the normal form."""
    attributes = {"text": question.get("text"), "required": bool(question.get("isRequired"))}
    if question.get("@odata.type") == CHOICE:
        attributes["choices"] = [choice.get("actualValue") for choice in question.get("choices") or []]
        if question.get("isMultipleSelectionAllowed"):
            attributes["multipleSelection"] = True
    elif question.get("isSingleLineQuestion") is False:
        attributes["singleLine"] = False
    localized = {item.get("languageCode"): item.get("text") for item in question.get("localizations") or []}
    if localized:
        attributes["localizedText"] = dict(sorted(localized.items()))
    return attributes


def body(attributes: dict, sequence: int) -> dict:
    """Graph's question for one in the normal form; `sequence`: its place among the policy's questions."""
    localizations = [{"languageCode": code, "text": text} for code, text in (attributes.get("localizedText") or {})
                     .items()]
    question = {"sequence": sequence, "isRequired": attributes["required"], "isAnswerEditable": True,
                "text": attributes["text"], "localizations": localizations}
    if "choices" in attributes:
        return {"@odata.type": CHOICE, **question, "isMultipleSelectionAllowed": attributes.get("multipleSelection",
                                                                                                  False),
                "choices": [{"actualValue": value, "text": value, "localizations": []}
                            for value in attributes["choices"]]}
    return {"@odata.type": TEXT, **question, "isSingleLineQuestion": attributes.get("singleLine", True),
            "regexPattern": None}
