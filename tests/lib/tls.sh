# tls.sh - sourced by tests and the bench that serve HTTPS: a throw-away CA and a server
# certificate it signed, for 127.0.0.1 and localhost, made with openssl (EC keys: quick).
#   tls_make DIR   writes DIR/ca.pem (the CA to trust), DIR/srv.pem and DIR/srv.key (for
#                  aircall-sim --tls-cert/--tls-key); returns non-zero when openssl fails
tls_make() {
  _d=$1
  _ec='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes'
  # shellcheck disable=SC2086
  openssl req -x509 $_ec -keyout "$_d/ca.key" -out "$_d/ca.pem" -days 2 -subj "/CN=kkp test CA" \
    >/dev/null 2>&1 &&
    openssl req $_ec -keyout "$_d/srv.key" -out "$_d/srv.csr" -subj "/CN=127.0.0.1" >/dev/null 2>&1 &&
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$_d/ext.cnf" &&
    openssl x509 -req -in "$_d/srv.csr" -CA "$_d/ca.pem" -CAkey "$_d/ca.key" -CAcreateserial \
      -out "$_d/srv.pem" -days 2 -extfile "$_d/ext.cnf" >/dev/null 2>&1
}
