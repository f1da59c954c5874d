from greet import greet

message = greet("neovim")
print(message.upper())
