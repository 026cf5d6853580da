"""Payment gateways: one interface (base.py), the pure VNPay 2.1.0 protocol (vnpay.py), its HTTP
client (client.py) and MoMo's signature (momo.py)."""
