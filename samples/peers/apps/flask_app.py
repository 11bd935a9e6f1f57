"""Tiny Flask app for real-peers.sh: / (normal page), /orders/<id> (raises), anything else 404.

Usage: python flask_app.py PORT on|off   (works with Flask 1.1, 2.0 and 3.x)
"""
import sys

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "hello from the shop\n"


@app.route("/orders/<int:order_id>")
def order(order_id):
    orders = {1: {"total": 12.5}}
    return {"id": order_id, "total": orders[order_id]["total"] / 0}


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]), debug=sys.argv[2] == "on")
