;;; tether_eglot.el --- Emacs + eglot through `tether lsp', driven in batch mode by EmacsTest  -*- lexical-binding: t -*-
;;
;; Loads the user's snippet (docs/EDITORS.md, "Emacs (eglot)", with the test's host filled in) from
;; $TETHER_EMACS_SNIPPET, opens $TETHER_EMACS_FILE (a file of the LOCAL copy), starts eglot as `M-x eglot'
;; does, asks for hover at the first "greet(" and runs `xref-find-definitions' there, then writes what
;; happened as JSON to $TETHER_EMACS_OUTPUT and exits. Every wait is bounded by $TETHER_EMACS_TIMEOUT.

(require 'json)
(load (getenv "TETHER_EMACS_SNIPPET") nil t)
(require 'eglot)

(defvar tether-results nil "Alist of what happened, written as JSON at the end.")
(defun tether-result (key value) (push (cons key value) tether-results))

(defvar tether-timeout (string-to-number (getenv "TETHER_EMACS_TIMEOUT")))
(setq eglot-connect-timeout tether-timeout
      jsonrpc-default-request-timeout tether-timeout)

(defun tether-await-server ()
  "The buffer's eglot server once it answered initialize; an error after `tether-timeout' seconds.
`eglot' itself returns at the first output of the process (tether's \"connecting\" line on stderr)."
  (with-timeout (tether-timeout (error "eglot did not connect within %s s" tether-timeout))
    (while (not (eglot-current-server))
      (accept-process-output nil 0.1)))
  (eglot-current-server))

(condition-case err
    (progn
      (find-file (getenv "TETHER_EMACS_FILE"))
      (tether-result 'major_mode (symbol-name major-mode))
      (apply #'eglot (eglot--guess-contact))
      (let ((server (tether-await-server)))
        (tether-result 'connected (if (and server (jsonrpc-running-p server)) t :json-false))
        (goto-char (point-min))
        (search-forward "greet(")
        (backward-char 3)                   ; on the call's name
        (let ((hover (jsonrpc-request server :textDocument/hover (eglot--TextDocumentPositionParams))))
          (tether-result 'hover (json-encode hover)))
        (xref-find-definitions (xref-backend-identifier-at-point (xref-find-backend)))
        (tether-result 'definition_file (buffer-file-name))
        (tether-result 'definition_line (line-number-at-pos))
        (eglot-shutdown server)))
  (error (tether-result 'error (error-message-string err))
         (tether-result 'messages (with-current-buffer "*Messages*" (buffer-string)))
         (dolist (buffer (buffer-list))       ; tether's stderr, as eglot keeps it
           (when (string-match-p "EGLOT.*stderr" (buffer-name buffer))
             (tether-result 'stderr (with-current-buffer buffer (buffer-string)))))))

(with-temp-file (getenv "TETHER_EMACS_OUTPUT")
  (insert (json-encode tether-results)))
(kill-emacs 0)
