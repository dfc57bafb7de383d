# bench.mk - rules for bench/ (included by the top Makefile).
