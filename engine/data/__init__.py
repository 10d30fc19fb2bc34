"""Datasets, one module per family (points, images, tabular, sequences), the registry that
names them all, and the 2-D playground's input features."""
