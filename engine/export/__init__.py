"""Exports of a session: a standalone PyTorch script, weights, ONNX, spec, history, int8."""
