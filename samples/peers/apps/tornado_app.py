"""Tiny Tornado app for real-peers.sh --extra. Usage: python tornado_app.py PORT on|off"""
import asyncio
import sys

import tornado.web


class Index(tornado.web.RequestHandler):
    def get(self):
        self.write("hello from the shop\n")


class Order(tornado.web.RequestHandler):
    def get(self, order_id):
        orders = {1: {"total": 12.5}}
        self.write({"id": order_id, "total": orders[int(order_id)]["total"] / 0})


async def main():
    app = tornado.web.Application(
        [(r"/", Index), (r"/orders/(\d+)", Order)], debug=sys.argv[2] == "on"
    )
    app.listen(int(sys.argv[1]), address="127.0.0.1")
    await asyncio.Event().wait()


if __name__ == "__main__":
    import tornado.log

    tornado.log.enable_pretty_logging()
    asyncio.run(main())
