# host.mk - rules for host/ (included by the top Makefile).
