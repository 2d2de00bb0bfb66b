"""pytest's entry: the shared fixtures and options live in ``support.py`` (a plain module, so that
test files and the conftest files of subfolders can import its helpers by a name no other
conftest shadows)."""

from support import *  # noqa: F403  (fixtures and hooks are found by name in this module)
from support import pytest_addoption, pytest_collection_modifyitems  # noqa: F401
