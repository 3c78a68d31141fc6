"""`python -m demo [--port 7860] [--host 127.0.0.1] [--model PATH] [--lazy]`: serve the Gradio demo."""

from demo.app import main

main()
