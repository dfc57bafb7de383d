# keystore.mk - rules for keystore/ (included by the top Makefile).
