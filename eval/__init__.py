"""Evaluation: question sets, gold resolution and scoring for the 标准起草助手."""
