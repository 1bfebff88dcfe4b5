"""ETI - Enklere tilgang til informasjon.

Public surface: settings, the embedder registry and the index reader. Answering and
the API live in their own subpackages and are imported where they are used.
"""

__version__ = "0.1.0"
