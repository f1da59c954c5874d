-- Headless Neovim as a user would set it up: the language-server command is `tether lsp`.
-- Compatible with Neovim 0.7 (Debian 12): vim.lsp.start_client + buf_attach_client, since
-- vim.lsp.start only exists from 0.8.
--
-- The test writes a JSON config and names it in $TETHER_NVIM_CONFIG:
--   java, agent_jar, tether_jar   how to run tether (as the ./tether launcher does)
--   ssh                           ssh flags (-i, -p, -o ...), destination  "user@host"
--   local_root, remote_root       the --map pair; file: the LOCAL file to open
--   line, col                     1-based line, 0-based column of the symbol to hover and jump from
--   timeout_ms, output            how long to wait for each step; where to write the results (JSON)
-- Results: attached, hover, definition (raw LSP results), diagnostics_uri, errors; then :qa!.

local cfg = vim.fn.json_decode(table.concat(vim.fn.readfile(vim.env.TETHER_NVIM_CONFIG), "\n"))
local results = { attached = false, errors = {} }

local function finish()
  vim.fn.writefile({ vim.fn.json_encode(results) }, cfg.output)
  vim.cmd("qa!")
end

local function run()
  local cmd = { cfg.java, "-Dtether.agent.jar=" .. cfg.agent_jar, "-jar", cfg.tether_jar, "lsp" }
  vim.list_extend(cmd, cfg.ssh)
  vim.list_extend(cmd, { cfg.destination, "--map", cfg.local_root .. "=" .. cfg.remote_root, "--server", "pylsp" })

  vim.cmd("edit " .. vim.fn.fnameescape(cfg.file))
  local bufnr = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = "pylsp-tether",
    cmd = cmd,
    root_dir = cfg.local_root,
    on_attach = function() results.attached = true end,
    handlers = {
      ["textDocument/publishDiagnostics"] = function(err, params, ctx, config)
        results.diagnostics_uri = params.uri
        return vim.lsp.handlers["textDocument/publishDiagnostics"](err, params, ctx, config)
      end,
      ["window/showMessage"] = function(_, params)
        table.insert(results.errors, "showMessage: " .. params.message)
      end,
    },
  })
  if not client_id then
    table.insert(results.errors, "vim.lsp.start_client returned nil")
    return
  end
  vim.lsp.buf_attach_client(bufnr, client_id)
  if not vim.wait(cfg.timeout_ms, function() return results.attached or #results.errors > 0 end, 50) then
    table.insert(results.errors, "the client did not attach within " .. cfg.timeout_ms .. " ms")
    return
  end

  vim.api.nvim_win_set_cursor(0, { cfg.line, cfg.col })
  local params = vim.lsp.util.make_position_params()
  for _, method in ipairs({ "textDocument/hover", "textDocument/definition" }) do
    local responses, err = vim.lsp.buf_request_sync(bufnr, method, params, cfg.timeout_ms)
    local response = responses and responses[client_id]
    if not response then
      table.insert(results.errors, method .. ": " .. tostring(err or "no response"))
    elseif response.error then
      table.insert(results.errors, method .. ": " .. vim.inspect(response.error))
    else
      results[method:match("/(%w+)$")] = response.result
    end
  end
  vim.wait(cfg.timeout_ms, function() return results.diagnostics_uri ~= nil end, 50)
end

local ok, err = pcall(run)
if not ok then
  table.insert(results.errors, "lua error: " .. tostring(err))
end
finish()
