# tests.mk - rules for tests/ (included by the top Makefile).
