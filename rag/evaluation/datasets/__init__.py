"""Adapters that turn external benchmarks into runs of :func:`rag.evaluation.evaluate`.

- :mod:`rag.evaluation.datasets.rgb`: RGB (Chen, Lin, Han, Sun, "Benchmarking Large
  Language Models in Retrieval-Augmented Generation", AAAI 2024), noise and rejection.

Our own question sets are JSONL files read by :func:`rag.evaluation.load_dataset`.
"""
