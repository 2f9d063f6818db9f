"""Fellegi–Sunter scoring: model parameters, u and m estimation, prediction."""
