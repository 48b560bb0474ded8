"""shenbao's engine: load a YAML flow, then run it as pure values.

The public names below are all a renderer or the store may use. The engine does no I/O,
never reads the clock or the environment itself, and imports no web, terminal, PDF or
database library (tests/engine/test_boundaries.py walks the imports).
"""
from .document import Box as DocumentBox
from .document import Cell as DocumentCell
from .document import Code as DocumentCode
from .document import DocumentError, DocumentView, format_value, resolve_document
from .document import Photo as DocumentPhoto
from .document import Section as DocumentSection
from .docbuild import DOCUMENT_NAMES
from .fieldtypes import FIELD_TYPES, FieldType
from .images import FORMATS as IMAGE_FORMATS
from .images import ImageValue, Upload
from .evaluate import Clock, Context, DataSource, MemorySource, Option
from .diff import DRAFTS, SAFE, SUBMITTED, Change, diff_flows, diff_messages, worst
from .field_check import check_field_value
from .loader import load_flow
from .messages import check_placeholders, read_catalogue, received_parameters
from .model import DocumentSpec, ApplicationSpec, Binding, Dataset, Field, Flow, Numbering, StaffData, StaffRole, Status, Step
from .rules import RULES as FIELD_RULES
from .problems import ExpressionFailed, FlowError, FlowProblem, GateFailure, Problem
from .run import MIN_READ_GATE, Decision, Run, SubmitResult, answers_from_json, to_json
from .status import (AmendResult, Amendment, AmendView, EditRights, TransitionResult, allowed_transitions,
                     edit_rights, transition)
from .staffdata import label_key as staff_label_key, title_key as staff_title_key
from .steps import FieldView, SectionView, StepView

__all__ = [
    "DOCUMENT_NAMES", "FIELD_TYPES", "FieldType", "DocumentSpec", "IMAGE_FORMATS", "ImageValue", "Upload",
    "DRAFTS", "SAFE", "SUBMITTED", "Change", "diff_flows", "diff_messages", "worst", "check_placeholders",
    "read_catalogue", "received_parameters", "FIELD_RULES",
    "MIN_READ_GATE", "AmendResult", "ApplicationSpec", "Binding", "Numbering", "StaffData", "StaffRole", "DocumentBox", "DocumentCell", "DocumentCode", "DocumentError",
    "DocumentPhoto", "DocumentSection", "DocumentView", "format_value", "resolve_document", "AmendView", "Amendment", "Clock", "Context", "DataSource", "Dataset", "Decision",
    "EditRights", "ExpressionFailed", "Field", "FieldView", "Flow", "FlowError", "FlowProblem", "GateFailure",
    "MemorySource", "Option", "Problem", "Run", "SectionView", "Status", "Step", "StepView", "SubmitResult",
    "TransitionResult", "allowed_transitions", "answers_from_json", "check_field_value", "edit_rights", "load_flow",
    "staff_label_key", "staff_title_key", "to_json",
    "transition",
]
