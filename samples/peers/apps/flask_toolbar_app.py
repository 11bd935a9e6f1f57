"""Flask app with Flask-DebugToolbar for real-peers.sh --extra. Usage: python flask_toolbar_app.py PORT on|off"""
import sys

from flask import Flask
from flask_debugtoolbar import DebugToolbarExtension

app = Flask(__name__)
app.config["SECRET_KEY"] = "capture-only-not-a-real-key"
app.config["DEBUG_TB_INTERCEPT_REDIRECTS"] = False
app.debug = sys.argv[2] == "on"
toolbar = DebugToolbarExtension(app)


@app.route("/")
def index():
    return "<!DOCTYPE html><html><head><title>Shop</title></head><body><p>hello from the shop</p></body></html>"


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]), debug=app.debug, use_reloader=False)
