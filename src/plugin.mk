# plugin.mk - rules for src/ (included by the top Makefile).
