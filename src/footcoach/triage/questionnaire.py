"""The runner triage questionnaire: one import for its public pieces.

The work is done in the modules of this package:

- :mod:`footcoach.triage.spec`: the file's shape, what the contract allows, the loaded questions;
- :mod:`footcoach.triage.loading`: reading and checking ``knowledge/questionnaire.yaml``;
- :mod:`footcoach.triage.answer_forms`: one answer, typed or from a file, to its native value;
- :mod:`footcoach.triage.answers`: answers to a state, problems tied to questions, red-flag filling;
- :mod:`footcoach.triage.resolve`: a whole answers document (``--answers FILE``);
- :mod:`footcoach.triage.fhir`: FHIR Questionnaire and QuestionnaireResponse;
- :mod:`footcoach.triage.show`: ``questionnaire show``.

Assessing the answers is the service layer's (:func:`footcoach.service.assess_triage`).
"""

from __future__ import annotations

from footcoach.triage.answer_forms import AnswerProblem, json_text, parse_value
from footcoach.triage.answers import (
    AnswersProblem,
    TriageResult,
    TriageState,
    Where,
    answers_to_state,
    assumed_for_referral,
    condition_holds,
    fill_for_referral,
    locate,
    referral_text,
    state_problems,
    triage_state,
)
from footcoach.triage.fhir import (
    answers_from_fhir_response,
    answers_to_fhir_response,
    to_fhir_questionnaire,
    validate_fhir,
)
from footcoach.triage.loading import default_questionnaire, load_questionnaire
from footcoach.triage.resolve import CheckedAnswers, resolve_answers
from footcoach.triage.show import show_json, show_text
from footcoach.triage.spec import (
    QUESTIONNAIRE_FILE,
    Allowed,
    GroupField,
    Question,
    Questionnaire,
    QuestionnaireError,
)

__all__ = [
    "QUESTIONNAIRE_FILE",
    "Allowed",
    "AnswerProblem",
    "AnswersProblem",
    "CheckedAnswers",
    "GroupField",
    "Question",
    "Questionnaire",
    "QuestionnaireError",
    "TriageResult",
    "TriageState",
    "Where",
    "answers_from_fhir_response",
    "answers_to_fhir_response",
    "answers_to_state",
    "assumed_for_referral",
    "condition_holds",
    "default_questionnaire",
    "fill_for_referral",
    "json_text",
    "load_questionnaire",
    "locate",
    "parse_value",
    "referral_text",
    "resolve_answers",
    "show_json",
    "show_text",
    "state_problems",
    "to_fhir_questionnaire",
    "triage_state",
    "validate_fhir",
]
