"""The console renderer: a flow in a terminal, interactive or headless from scenario files.

Thin: it turns engine values (StepView, Problem, GateFailure…) into lines of text and typed
input into engine calls. It imports only the engine's public names (`from engine import …`)
and the shenbao helpers that read files (flow, data, catalogue); never another renderer.
Every word an applicant reads comes from locales/zh_CN/messages.yaml.
"""
