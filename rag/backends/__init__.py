"""Adapters to real engines; the only modules that import chromadb, llama_cpp or torch.

Each module imports its engine lazily inside the constructor, so ``import rag`` stays
fast and a missing engine raises an error with the install hint.
"""
